"""Erasmus Without Paper (EWP) formats of agreements: the IIA v7 hash and the IIAs get-response XML."""
