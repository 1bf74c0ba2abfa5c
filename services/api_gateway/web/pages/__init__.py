"""The page routes (thin: read the request, call one use case, render)."""
