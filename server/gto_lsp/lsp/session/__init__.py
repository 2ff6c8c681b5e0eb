"""The server's session: paths and uris, documents, repositories and the server instance that holds them."""
