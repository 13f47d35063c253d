"""`blogsmith deploy`: the last build of the output folder, sent to where readers get it."""
