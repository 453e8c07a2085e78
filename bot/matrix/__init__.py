"""The Matrix adapter: matrix-nio client, `!` commands, pushes, end-to-end encryption."""
