from django.urls import path

from mobilitas.accounts import views

urlpatterns = [
    path("login/", views.login, name="accounts-login"),
    path("logout/", views.logout, name="accounts-logout"),
    path("password/change/", views.password_change, name="accounts-password-change"),
    path("password/change/done/", views.password_change_done, name="accounts-password-change-done"),
    path("password/reset/", views.password_reset, name="accounts-password-reset"),
    path("password/reset/sent/", views.password_reset_done, name="accounts-password-reset-done"),
    path("password/reset/<uidb64>/<token>/", views.password_reset_confirm, name="accounts-password-reset-confirm"),
    path("password/reset/complete/", views.password_reset_complete, name="accounts-password-reset-complete"),
    path("tokens/", views.account, name="accounts-tokens"),
    path("tokens/new/", views.create_token, name="accounts-token-create"),
    path("tokens/<uuid:public_id>/revoke/", views.revoke_token, name="accounts-token-revoke"),
    path("language/", views.update_language, name="accounts-language"),
    path("time-zone/", views.update_time_zone, name="accounts-time-zone"),
]
