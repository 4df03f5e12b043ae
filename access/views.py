"""``/roles`` and ``/access_tokens`` (SPEC-2 §10.4, §10.5): project-wide. Thin: parse, call
a service, render. Roles are read by every token and written by roles that manage users;
tokens are read and written by roles that manage tokens, which also see their secrets."""

from rest_framework.response import Response
from rest_framework.views import APIView

from access import roles, tokens
from access.models import Role
from access.permissions import grants
from access.resources import role_resource, token_resource
from cms.api.parsing import parse_resource
from cms.api.query import nested_params, refuse_unknown
from cms.models import ApiToken


class AccessView(APIView):
    project_wide = True
    scope = "schema"


class RoleView(AccessView):
    write_flag = "can_manage_users"

    @staticmethod
    def answer(role: Role, status: int = 200) -> Response:
        return Response({"data": role_resource(role, roles.parents_of([role])[role.pk])}, status)


class RoleListView(RoleView):
    def get(self, request):
        refuse_unknown(nested_params(request.query_params), set())
        listed = list(Role.objects.all())
        parents = roles.parents_of(listed)
        return Response({"data": [role_resource(r, parents[r.pk]) for r in listed]})

    def post(self, request):
        cleaned, parents = roles.clean(parse_resource(request.data, "role"), creating=True)
        return self.answer(roles.save(Role(), cleaned, parents, create=True), 201)


class RoleDetailView(RoleView):
    def get(self, request, role_id):
        return self.answer(roles.find_role(role_id))

    def put(self, request, role_id):
        role = roles.find_role(role_id)
        cleaned, parents = roles.clean(parse_resource(request.data, "role"), creating=False)
        return self.answer(roles.save(role, cleaned, parents, create=False))

    def delete(self, request, role_id):
        role = roles.find_role(role_id)
        answer = role_resource(role, roles.parents_of([role])[role.pk])
        roles.destroy(role)
        return Response({"data": answer})


class RoleDuplicateView(RoleView):
    def post(self, request, role_id):
        return self.answer(roles.duplicate(roles.find_role(role_id)))


class TokenView(AccessView):
    read_flag = write_flag = "can_manage_access_tokens"

    @staticmethod
    def answer(request, token: ApiToken, status: int = 200) -> Response:
        show = grants(request).flag("can_manage_access_tokens")
        return Response({"data": token_resource(token, show_secret=show)}, status)


class TokenListView(TokenView):
    def get(self, request):
        refuse_unknown(nested_params(request.query_params), set())
        show = grants(request).flag("can_manage_access_tokens")
        listed = ApiToken.objects.filter(session__isnull=True)  # sessions: the users'
        return Response({"data": [token_resource(t, show_secret=show) for t in listed]})

    def post(self, request):
        cleaned, role = tokens.clean(parse_resource(request.data, "access_token"), creating=True)
        return self.answer(request, tokens.create(cleaned, role), 201)


class TokenDetailView(TokenView):
    def get(self, request, token_id):
        return self.answer(request, tokens.find_token(token_id))

    def put(self, request, token_id):
        token = tokens.find_token(token_id)
        document = parse_resource(request.data, "access_token")
        cleaned, role = tokens.clean(document, creating=False)
        return self.answer(request, tokens.update(token, cleaned, role))

    def delete(self, request, token_id):
        # destination_user_type/_id reassign what the token owned: records keep their
        # creator here (nothing else is owned), so both are accepted and unused.
        refuse_unknown(
            nested_params(request.query_params), {"destination_user_type", "destination_user_id"}
        )
        token = tokens.find_token(token_id)
        answer = self.answer(request, token)
        tokens.destroy(token)
        return answer


class TokenRegenerateView(TokenView):
    def post(self, request, token_id):
        return self.answer(request, tokens.regenerate(tokens.find_token(token_id)))
