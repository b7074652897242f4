"""Use cases: each joins the store to the pure layers and returns plain result objects.

The CLI and the web app are thin faces over these functions; nothing here prints.
"""
