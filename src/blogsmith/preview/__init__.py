"""`blogsmith serve`: the server, the watcher, and the quick path that patches a build."""
