"""The application: workspace, config, store, billboard, report and the click CLI."""

__version__ = "0.1.0"
