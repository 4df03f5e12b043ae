"""Validators of a file field's upload: extension, size, image dimensions and aspect
ratio, alt and title. They read the upload's facts (``check_upload``), which record
validation fetches in bulk."""

from item_types.field_types.base import is_number
from item_types.validators.base import (
    Validator,
    booleans,
    positive_int,
    require,
    require_ordered,
)

EXTENSION_LISTS = ("image", "transformable_image", "video", "document")


class ExtensionValidator(Validator):
    name = "extension"
    parameters = {
        "extensions": (
            lambda v: isinstance(v, list) and all(isinstance(e, str) and e.lstrip(".") for e in v),
            "extensions must be a list of file extensions.",
        ),
        "predefined_list": (
            lambda v: v in EXTENSION_LISTS,
            f"predefined_list must be one of {', '.join(EXTENSION_LISTS)}.",
        ),
    }

    def clean(self, params, context):
        given = [k for k in ("extensions", "predefined_list") if params.get(k) not in (None, [])]
        require(len(given) == 1, "Give exactly one of extensions and predefined_list.")
        if params.get("extensions"):
            params["extensions"] = [e.lower().lstrip(".") for e in params["extensions"]]
        return params

    def check_upload(self, file_value, upload, params, locale=None):
        extension = (upload.format or "").lower()
        filename_extension = (
            upload.filename.rsplit(".", 1)[-1].lower() if "." in (upload.filename) else ""
        )
        if params.get("extensions"):
            allowed = set(params["extensions"])
            if extension not in allowed and filename_extension not in allowed:
                raise self.problem(extensions=params["extensions"], actual=filename_extension)
            return
        kind = params["predefined_list"]
        if kind in ("image", "transformable_image"):
            ok = upload.is_image
        elif kind == "video":
            ok = (upload.mime_type or "").startswith("video/")
        else:  # document
            ok = not upload.is_image and not (upload.mime_type or "").startswith(
                ("video/", "audio/")
            )
        if not ok:
            raise self.problem(predefined_list=kind)


FILE_SIZE_UNITS = {"B": 1, "KB": 1024, "MB": 1024 * 1024}


class FileSizeValidator(Validator):
    name = "file_size"

    def check_upload(self, file_value, upload, params, locale=None):
        low = params.get("min_value")
        high = params.get("max_value")
        if (low is not None and upload.size < low * FILE_SIZE_UNITS[params["min_unit"]]) or (
            high is not None and upload.size > high * FILE_SIZE_UNITS[params["max_unit"]]
        ):
            raise self.problem(**params, actual=upload.size)

    parameters = {
        "min_value": (lambda v: is_number(v) and v >= 0, "min_value must be a number >= 0."),
        "max_value": (lambda v: is_number(v) and v >= 0, "max_value must be a number >= 0."),
        "min_unit": (lambda v: v in FILE_SIZE_UNITS, "min_unit must be B, KB or MB."),
        "max_unit": (lambda v: v in FILE_SIZE_UNITS, "max_unit must be B, KB or MB."),
    }

    def clean(self, params, context):
        bounds = [b for b in ("min", "max") if params.get(f"{b}_value") is not None]
        require(bounds, "Give min_value, max_value or both.")
        for bound in bounds:
            require(
                params.get(f"{bound}_unit") is not None,
                f"{bound}_unit is required with {bound}_value.",
                f"{bound}_unit",
            )
        if len(bounds) == 2:
            require_ordered(
                params["min_value"] * FILE_SIZE_UNITS[params["min_unit"]],
                params["max_value"] * FILE_SIZE_UNITS[params["max_unit"]],
                "min_value",
            )
        return params


class ImageDimensionsValidator(Validator):
    name = "image_dimensions"

    def check_upload(self, file_value, upload, params, locale=None):
        if not upload.is_image:
            raise self.problem(message="Not an image.", **params)
        for side, actual in (("width", upload.width), ("height", upload.height)):
            low, high = params.get(f"{side}_min_value"), params.get(f"{side}_max_value")
            if (low is not None and actual < low) or (high is not None and actual > high):
                raise self.problem(**params, width=upload.width, height=upload.height)

    parameters = {
        name: (positive_int, f"{name} must be a whole number > 0.")
        for name in ("width_min_value", "width_max_value", "height_min_value", "height_max_value")
    }

    def clean(self, params, context):
        require(any(v is not None for v in params.values()), "Give at least one bound.")
        for side in ("width", "height"):
            require_ordered(
                params.get(f"{side}_min_value"),
                params.get(f"{side}_max_value"),
                f"{side}_min_value",
            )
        return params


class ImageAspectRatioValidator(Validator):
    name = "image_aspect_ratio"

    def check_upload(self, file_value, upload, params, locale=None):
        if not upload.is_image or not upload.height:
            raise self.problem(message="Not an image.", **params)
        ratio = upload.width / upload.height

        def bound(name):
            numerator = params.get(f"{name}_ar_numerator")
            return None if numerator is None else numerator / params[f"{name}_ar_denominator"]

        low, eq, high = bound("min"), bound("eq"), bound("max")
        if (
            (low is not None and ratio < low - 1e-9)
            or (high is not None and ratio > high + 1e-9)
            or (eq is not None and abs(ratio - eq) > 1e-3)
        ):
            raise self.problem(**params, actual=round(ratio, 4))

    parameters = {
        f"{bound}_ar_{part}": (
            lambda v: is_number(v) and v > 0,
            f"{bound}_ar_{part} must be a number > 0.",
        )
        for bound in ("min", "eq", "max")
        for part in ("numerator", "denominator")
    }

    def clean(self, params, context):
        bounds = [
            b
            for b in ("min", "eq", "max")
            if params.get(f"{b}_ar_numerator") is not None
            or params.get(f"{b}_ar_denominator") is not None
        ]
        require(bounds, "Give min, eq or max as numerator and denominator.")
        ratios = {}
        for bound in bounds:
            numerator = params.get(f"{bound}_ar_numerator")
            denominator = params.get(f"{bound}_ar_denominator")
            require(
                numerator is not None and denominator is not None,
                f"{bound} needs both a numerator and a denominator.",
                f"{bound}_ar_denominator",
            )
            ratios[bound] = numerator / denominator
        require(
            not ("eq" in ratios and {"min", "max"} & set(ratios)), "eq excludes min and max.", "eq"
        )
        require_ordered(ratios.get("min"), ratios.get("max"), "min_ar_numerator")
        return params


class RequiredAltTitleValidator(Validator):
    name = "required_alt_title"
    parameters = booleans("title", "alt")

    def check_upload(self, file_value, upload, params, locale=None):
        """The value's alt/title, or else the upload's default in the value's locale (the
        main locale for a field that isn't localized)."""
        metadata = upload.default_field_metadata or {}
        defaults = metadata.get(locale) if locale else next(iter(metadata.values()), None)
        defaults = defaults or {}
        missing = [
            key
            for key in ("alt", "title")
            if params.get(key) and not (file_value.get(key) or defaults.get(key))
        ]
        if missing:
            raise self.problem(missing=missing)
