"""An optional second opinion on a comment's words: the offline model of the
alt-profanity-check package, which the policy consults only when ``model_threshold`` is set."""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured


def offensive_score(text: str) -> float:
    """The model's probability (0 to 1) that the text is offensive.

    The model (a linear classifier over word n-grams, trained on labelled tweets and
    Wikipedia comments) ships inside the package and runs without a network.
    """
    try:
        from profanity_check import predict_prob
    except ImportError as missing:
        raise ImproperlyConfigured(
            "The moderation policy's model_threshold is set, but the model's package is not "
            "installed: pip install 'newsroom[model]' (alt-profanity-check)."
        ) from missing
    return float(predict_prob([text])[0])
