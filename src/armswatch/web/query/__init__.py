"""Read model of the workbench: paginated, filtered queries the pages and the API share.

Each query touches only what one page shows (one page of findings with their own evidence and
reviews, one vessel's track simplified server-side), never the whole case.
"""
