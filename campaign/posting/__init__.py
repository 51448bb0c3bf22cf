"""The posting plan, its channels and their health."""
