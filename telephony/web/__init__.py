"""Browser plumbing shared by the softphone transport and the staff consoles: ICE
settings, websocket helpers and the static files.
"""
