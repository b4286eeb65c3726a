"""Development tools: fakes of outside services for tests and offline work."""
