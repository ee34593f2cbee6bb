from django.urls import path

from monographs.loadtest import views

app_name = "bench"
urlpatterns = [
    path("floor/", views.floor, name="floor"),
    path("naive/drugs/<slug:slug>/", views.NaiveDrugDetailView.as_view(), name="naive-drug"),
]
