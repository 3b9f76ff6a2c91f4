"""The sandbox's own surface under `/sandbox`: pages for people and a JSON control API."""
