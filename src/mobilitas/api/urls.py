from ninja import NinjaAPI

api = NinjaAPI(title="Mobilitas API", version="1", urls_namespace="api-v1")
