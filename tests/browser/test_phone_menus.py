"""On a phone the menus take at most two lines and numbers, dates and places never break inside."""

from __future__ import annotations

from .test_flows import sign_in


def _lines(s, selector: str) -> int:  # type: ignore[no-untyped-def]
    """How many rows of text the element's links occupy (distinct top positions)."""
    tops = f"[...document.querySelectorAll('{selector} a')].map(a => Math.round(a.getBoundingClientRect().top))"
    return s.page.evaluate(f"new Set({tops}).size")


def test_phone_header_and_public_rows(world, open_session) -> None:
    phone = open_session("phone-menus", {"width": 375, "height": 740})
    sign_in(phone, world.applicant.username)
    assert _lines(phone, ".top nav") == 1  # the menu on one row below the brand and the user
    brand = phone.page.locator(".top .brand").bounding_box()
    me = phone.page.locator(".top .me").bounding_box()
    assert abs(brand["y"] - me["y"]) < brand["height"]  # brand and user share the first row
    phone.shot("workbench-phone")
    public = open_session("public-phone", {"width": 375, "height": 740})
    public.go("/public/")
    assert _lines(public, "header.site nav") == 1
    for nb in public.page.locator(".nb").all():  # (none yet without published decisions: the rule is in the CSS)
        box = nb.bounding_box()
        assert box is None or box["height"] < 40
