"""The seed corpus: our structured records of the source documents, loaded into the working copy.

seeds/*.yaml are read (reading), checked against the schema (schema) and the model rules
(validation) into a plan, and the plan is written in one transaction (loading) or turned into
Django fixtures (fixtures). Nothing is written unless every file is valid.
"""
