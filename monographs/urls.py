app_name = "monographs"
urlpatterns: list = []
