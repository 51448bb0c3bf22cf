"""The application: workspace, config, store, billboard, report and the click CLI."""

import logging

import schedules.channel  # noqa: F401 - the channel descriptions announce their consent scopes

# A library logs; the workspace decides where it goes (campaign.log). Never to the console.
logging.getLogger(__name__).addHandler(logging.NullHandler())

__version__ = "0.1.0"
