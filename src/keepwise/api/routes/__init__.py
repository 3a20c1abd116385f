"""The API's routers, one module per area; each route calls only the workspace's services."""
