"""Staff work on the data: accounts and roles, where each may act, edits and uploads.

Every change is one data version plus one audit row; permissions are checked here, not in
the faces (the web app and the CLI call these functions with the acting user).
"""
