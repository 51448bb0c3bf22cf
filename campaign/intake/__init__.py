"""Taking portraits in: `portrait add` and `portrait import`."""
