"""The application service: one office's use cases, called by the CLI and the web app alike."""
