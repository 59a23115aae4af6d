"""A case in one file: :mod:`armswatch.case.export` writes it, :mod:`armswatch.case.load` reads it back."""
