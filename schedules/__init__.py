"""When and where posts go out: the plan, the runner, channels, engagement.

Imports `portraits`, never `campaign`: it takes tables, a brand and a clock as arguments.
"""
