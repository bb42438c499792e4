"""Pages of a list: a fixed number of rows each, so a page costs the same however long
the list grows. A page number that is not one gives a page anyway, with a note."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.http import QueryDict
from django.utils.translation import gettext, ngettext

from core.ids import parse_id


@dataclass(frozen=True)
class Paged:
    page: Page
    note: str  # why this is not the page asked for; empty when it is
    previous_url: str  # "?…" with every other parameter kept; empty on the first page
    next_url: str  # empty on the last page

    @property
    def rows(self) -> list:
        return self.page.object_list


def _link(params: QueryDict, param: str, number: int) -> str:
    params = params.copy()
    if number == 1:
        params.pop(param, None)
    else:
        params[param] = str(number)
    return "?" + params.urlencode() if params else "?"


def page_of(rows, params: QueryDict, *, per_page: int, param: str = "page") -> Paged:
    """The page of ``rows`` that ``params[param]`` asks for: the first for a missing or
    unreadable number, the last for one past the end. The links to the pages before
    and after keep every other parameter (the filters). Two queries: count and rows."""
    paginator = Paginator(rows, per_page)
    asked = params.get(param, "")
    number, note = 1, ""
    if asked:
        wanted = parse_id(asked)
        if wanted is None:
            note = gettext("That page number was not understood; this is page 1.")
        elif wanted > paginator.num_pages:
            number = paginator.num_pages
            note = (
                gettext("There is only one page.")
                if number == 1
                else ngettext(
                    "There is only %(count)d page; this is the last.",
                    "There are only %(count)d pages; this is the last.",
                    number,
                )
                % {"count": number}
            )
        else:
            number = wanted
    page = paginator.page(number)
    page.object_list = list(page.object_list)
    return Paged(
        page=page,
        note=note,
        previous_url=_link(params, param, number - 1) if page.has_previous() else "",
        next_url=_link(params, param, number + 1) if page.has_next() else "",
    )
