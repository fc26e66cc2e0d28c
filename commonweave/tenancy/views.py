from django.http import HttpResponse


def members(request):
    return HttpResponse("Not built yet")
