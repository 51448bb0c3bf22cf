"""People and pictures: portrait records, consent, photo intake, rendering.

The lowest of the three packages: it never imports `schedules` or `campaign`.
"""
