"""Importing a WordPress export (WXR) into a blogsmith site."""
