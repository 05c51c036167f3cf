from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from hearth.api import api
from hearth.links.views import redirect_view
from hearth.system import views as system_views
from hearth.workspaces import account_views
from hearth.workspaces import auth_views as hearth_auth
from hearth.workspaces import views as ws_views

auth_patterns = [
    path("login/", hearth_auth.login_view, name="login"),
    path("login/totp/", hearth_auth.login_totp_view, name="login-totp"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password/change/",
        auth_views.PasswordChangeView.as_view(template_name="auth/form.html"),
        name="password_change",
    ),
    path(
        "password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(template_name="auth/message.html"),
        name="password_change_done",
    ),
    path(
        "password/reset/",
        auth_views.PasswordResetView.as_view(template_name="auth/form.html"),
        name="password_reset",
    ),
    path(
        "password/reset/done/",
        auth_views.PasswordResetDoneView.as_view(template_name="auth/message.html"),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(template_name="auth/form.html"),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(template_name="auth/message.html"),
        name="password_reset_complete",
    ),
]

account_patterns = [
    path("", account_views.account, name="account"),
    path("totp/", account_views.totp_setup, name="totp-setup"),
    path("totp/disable/", account_views.totp_disable, name="totp-disable"),
    path("tokens/", account_views.token_create, name="token-create"),
    path("tokens/<int:token_id>/revoke/", account_views.token_revoke, name="token-revoke"),
]

# Everything of a tenant lives under /w/<ws>/ and resolves it through workspace_view.
workspace_patterns = [
    path("", ws_views.dashboard, name="workspace-dashboard"),
    path("members/", ws_views.members, name="workspace-members"),
    path("members/invite/", ws_views.invite, name="workspace-invite"),
    path("members/<int:member_id>/role/", ws_views.member_role, name="workspace-member-role"),
    path("members/<int:member_id>/remove/", ws_views.member_remove, name="workspace-member-remove"),
    path(
        "invitations/<int:invitation_id>/revoke/",
        ws_views.invitation_revoke,
        name="workspace-invitation-revoke",
    ),
    path("audit/", ws_views.audit_log, name="workspace-audit"),
]

urlpatterns = [
    path("", ws_views.home, name="home"),
    path("health", system_views.health, name="health"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("accounts/", include(auth_patterns)),
    path("account/", include(account_patterns)),
    path("workspaces/new/", ws_views.workspace_new, name="workspace-new"),
    path("invite/<str:token>/", ws_views.invitation_accept, name="invitation-accept"),
    path("w/<slug:ws>/", include(workspace_patterns)),
    path("w/<slug:ws>/", include("hearth.strategy.urls")),
    path("w/<slug:ws>/", include("hearth.channels.urls")),
    path("oauth/", include("hearth.channels.oauth_urls")),
    path("w/<slug:ws>/", include("hearth.publishing.urls")),
    path("w/<slug:ws>/", include("hearth.leads.urls")),
    path("w/<slug:ws>/", include("hearth.metrics.urls")),
    path("w/<slug:ws>/", include("hearth.content.urls")),
    path("feeds/", include("hearth.content.feed_urls")),
    path("r/<str:code>", redirect_view, name="link-redirect"),
    path("w/<slug:ws>/links/", include("hearth.links.urls")),
    path("api/v1/", api.urls),
]
