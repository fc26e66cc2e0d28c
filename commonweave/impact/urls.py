from django.urls import path

from . import views, views_area, views_theory

app_name = "impact"
urlpatterns = [
    path("area/", views_area.area, name="area_profile"),
    path("values/", views.value_list, name="value_list"),
    path("values/new/", views.value_new, name="value_new"),
    path("recipes/", views.recipe_list, name="recipe_list"),
    path("recipes/new/", views.recipe_new, name="recipe_new"),
    path("recipes/<str:public_id>/", views.recipe_detail, name="recipe_detail"),
    path("theory/", views_theory.theory, name="theory"),
    path("theory/history/", views_theory.theory_history, name="theory_history"),
    path("theory/versions/<int:number>/", views_theory.theory_version, name="theory_version"),
    path("theory/edit/", views_theory.theory_edit, name="theory_edit"),
]
