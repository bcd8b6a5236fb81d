"""Measurement tools that need both kb and nlu (so they live above both):

python -m dialog.measure.retrieval ../shared/testdata   # calibrate the retrieval threshold
python -m dialog.measure.intents ../shared/testdata/nlu  # Banking77 / CLINC150 intent figures
"""
