"""People and pictures: portrait records, consent, photo intake, rendering.

The lowest of the three packages: it never imports `schedules` or `campaign`.
"""

import logging

# A library logs; the workspace decides where it goes (campaign.log). Never to the console.
logging.getLogger(__name__).addHandler(logging.NullHandler())

