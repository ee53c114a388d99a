"""Log in and log out; the person's own profile and password."""

from django.contrib.auth import views as auth_views
from django.urls import path

from sakip.accounts import views
from sakip.accounts.forms import LoginForm

urlpatterns = [
    path("", views.profile, name="profile"),
    path(
        "masuk/",
        auth_views.LoginView.as_view(authentication_form=LoginForm, redirect_authenticated_user=True),
        name="login",
    ),
    path("keluar/", auth_views.LogoutView.as_view(), name="logout"),
    path("kata-sandi/", views.PasswordChangeView.as_view(), name="password_change"),
]
