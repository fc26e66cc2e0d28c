"""Social value pages: the value library with sources and licences, a new recipe, and a
recipe's receipt. For coordinators, analysts and place admins of the place; anyone else
finds a 404. Logic is in recipes.py and services.py."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from commonweave.tenancy.viewer import viewer_or_404

from . import deflators, receipt, recipes, rules, selectors, services
from .forms import LocalValueForm, RecipeForm
from .models import ValueRecipe


def _valuer(request):
    return viewer_or_404(request, may=rules.may_value)


@login_required
def value_list(request):
    viewer = _valuer(request)
    values = list(selectors.values_for(viewer).select_related("licence_confirmed_by"))
    context = {
        "values": [(value, receipt.value_source(value)) for value in values],
        "may_load": rules.may_load_values(viewer),
        "deflator": deflators.DEFAULT,
    }
    return render(request, "impact/value_list.html", context)


@login_required
def value_new(request):
    viewer = viewer_or_404(request, may=rules.may_load_values)
    form = LocalValueForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.local_value_add(viewer=viewer, **form.cleaned_data)
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                messages.success(request, _("Value added to the library"))
                return redirect("impact:value_list")
        status = 400
    return render(request, "impact/value_new.html", {"form": form}, status=status)


@login_required
def recipe_list(request):
    viewer = _valuer(request)
    return render(
        request, "impact/recipe_list.html", {"recipes": selectors.recipes_of(viewer)[:100]}
    )


@login_required
def recipe_new(request):
    viewer = _valuer(request)
    values = {value.public_id: value for value in selectors.values_for(viewer)}
    correcting = request.GET.get("from")
    initial = (
        RecipeForm.initial_from(selectors.recipe_open(viewer, correcting)) if correcting else None
    )
    form = RecipeForm(
        request.POST or None, initial=initial, values=values.values(), years=deflators.DEFAULT.years
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            shares = form.shares()
            previous = selectors.recipe_open(viewer, data["previous"]) if data["previous"] else None
            try:
                recipe = services.recipe_create(
                    viewer=viewer,
                    title=data["title"],
                    value=values[data["value"]],
                    quantity=recipes.Quantity(
                        n=data["n"],
                        mean_change=data["mean_change"],
                        ci_low=data["ci_low"],
                        ci_high=data["ci_high"],
                        measure=data["measure"],
                        cohort_label=data["cohort_label"],
                    ),
                    factors=recipes.Factors(
                        deadweight=shares["deadweight"],
                        attribution=shares["attribution"],
                        duration_years=data["duration_years"],
                        drop_off=shares["drop_off"],
                    ),
                    quantity_source=data["quantity_source"],
                    sources={
                        "deadweight": data["deadweight_source"],
                        "attribution": data["attribution_source"],
                        "duration": data["duration_source"],
                        "drop_off": data["drop_off_source"],
                    },
                    uprate_to=int(data["uprate_to"]) if data["uprate_to"] else None,
                    previous=previous,
                )
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                messages.success(request, _("Figure worked out and kept"))
                return redirect("impact:recipe_detail", public_id=recipe.public_id)
        status = 400
    context = {"form": form, "correcting": bool(form["previous"].value())}
    return render(request, "impact/recipe_new.html", context, status=status)


@login_required
def recipe_detail(request, public_id):
    viewer = _valuer(request)
    recipe = selectors.recipe_open(viewer, public_id)
    context = {
        "recipe": recipe,
        "newer": ValueRecipe.objects.filter(previous=recipe).first(),
        "rows": receipt.rows(recipe),
        "years": receipt.years(recipe),
        "central": receipt.pounds(recipe.central),
        "low": receipt.pounds(recipe.low),
        "high": receipt.pounds(recipe.high),
    }
    return render(request, "impact/recipe_detail.html", context)
