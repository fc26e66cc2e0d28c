from django.http import HttpResponse


def security(request):
    return HttpResponse("Not built yet")
