"""When and where posts go out: the plan, the runner, channels, engagement.

Imports `portraits`, never `campaign`: it takes tables, a brand and a clock as arguments.
"""

import logging

# A library logs; the workspace decides where it goes (campaign.log). Never to the console.
logging.getLogger(__name__).addHandler(logging.NullHandler())

