"""What one build leaves the next: the in-process cache and its signed copy on disk."""
