"""The CRM stage: customers linked to their posts where they consented, signals written back.

`stage.sync` runs it once; `privacy` erases and exports; `reviews` holds the queue of name
likenesses; `views` is the dashboard's read model. See README, "CRM enrichment".
"""
