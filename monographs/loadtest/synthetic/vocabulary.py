"""The words a synthetic corpus is made of: oncology vocabulary and the parts of made-up names.

Drug names are built from syllables and a real INN stem (-tinib, -rafenib, -ciclib, ...), so
they read like drugs without being any real one. Identifiers are drawn from ranges no real
record uses yet (NCT09..., PMIDs from 90,000,000, the 10.5555 test DOI prefix).
"""

CONDITIONS = [
    ("Hepatocellular carcinoma", "HCC"),
    ("Renal cell carcinoma", "RCC"),
    ("Differentiated thyroid carcinoma", "DTC"),
    ("Gastrointestinal stromal tumour", "GIST"),
    ("Non-small cell lung cancer", "NSCLC"),
    ("Small cell lung cancer", "SCLC"),
    ("Breast cancer", "BC"),
    ("Colorectal cancer", "CRC"),
    ("Melanoma", "MEL"),
    ("Ovarian cancer", "OC"),
    ("Prostate cancer", "PC"),
    ("Pancreatic adenocarcinoma", "PDAC"),
    ("Gastric cancer", "GC"),
    ("Urothelial carcinoma", "UC"),
    ("Endometrial cancer", "EC"),
    ("Head and neck squamous cell carcinoma", "HNSCC"),
    ("Glioblastoma", "GBM"),
    ("Acute myeloid leukaemia", "AML"),
    ("Chronic myeloid leukaemia", "CML"),
    ("Chronic lymphocytic leukaemia", "CLL"),
    ("Multiple myeloma", "MM"),
    ("Diffuse large B-cell lymphoma", "DLBCL"),
    ("Medullary thyroid carcinoma", "MTC"),
    ("Soft tissue sarcoma", "STS"),
    ("Cholangiocarcinoma", "CCA"),
    ("Mesothelioma", "MPM"),
]

TARGETS = [
    ("BRAF", "B-Raf proto-oncogene, serine/threonine kinase", ["B-RAF"]),
    ("RAF1", "Raf-1 proto-oncogene, serine/threonine kinase", ["c-RAF", "CRAF"]),
    ("KDR", "Kinase insert domain receptor", ["VEGFR-2"]),
    ("FLT1", "Fms related receptor tyrosine kinase 1", ["VEGFR-1"]),
    ("FLT4", "Fms related receptor tyrosine kinase 4", ["VEGFR-3"]),
    ("PDGFRB", "Platelet derived growth factor receptor beta", ["PDGFR-beta"]),
    ("KIT", "KIT proto-oncogene, receptor tyrosine kinase", ["c-KIT", "CD117"]),
    ("FLT3", "Fms related receptor tyrosine kinase 3", ["CD135"]),
    ("RET", "Ret proto-oncogene", ["RET"]),
    ("EGFR", "Epidermal growth factor receptor", ["ERBB1", "HER1"]),
    ("ERBB2", "Erb-b2 receptor tyrosine kinase 2", ["HER2"]),
    ("ALK", "ALK receptor tyrosine kinase", ["CD246"]),
    ("ROS1", "ROS proto-oncogene 1, receptor tyrosine kinase", ["c-ROS"]),
    ("MET", "MET proto-oncogene, receptor tyrosine kinase", ["c-MET", "HGFR"]),
    ("MTOR", "Mechanistic target of rapamycin kinase", ["FRAP1"]),
    ("CDK4", "Cyclin dependent kinase 4", ["PSK-J3"]),
    ("CDK6", "Cyclin dependent kinase 6", ["PLSTIRE"]),
    ("PIK3CA", "Phosphatidylinositol-4,5-bisphosphate 3-kinase catalytic subunit alpha", ["p110a"]),
    ("BTK", "Bruton tyrosine kinase", ["ATK"]),
    ("JAK2", "Janus kinase 2", ["JAK-2"]),
    ("ABL1", "ABL proto-oncogene 1, non-receptor tyrosine kinase", ["c-ABL"]),
    ("FGFR1", "Fibroblast growth factor receptor 1", ["CD331"]),
    ("FGFR2", "Fibroblast growth factor receptor 2", ["CD332"]),
    ("NTRK1", "Neurotrophic receptor tyrosine kinase 1", ["TRKA"]),
    ("MAP2K1", "Mitogen-activated protein kinase kinase 1", ["MEK1"]),
    ("PARP1", "Poly(ADP-ribose) polymerase 1", ["ARTD1"]),
    ("BCL2", "BCL2 apoptosis regulator", ["Bcl-2"]),
    ("IDH1", "Isocitrate dehydrogenase (NADP(+)) 1", ["IDH"]),
    ("CD274", "CD274 molecule", ["PD-L1"]),
    ("PDCD1", "Programmed cell death 1", ["PD-1"]),
]

ADVERSE_EVENT_TERMS = [
    ("Diarrhoea", "Gastrointestinal disorders", ["diarrhea", "loose stools"]),
    ("Nausea", "Gastrointestinal disorders", []),
    ("Vomiting", "Gastrointestinal disorders", ["emesis"]),
    ("Mucositis oral", "Gastrointestinal disorders", ["stomatitis"]),
    ("Abdominal pain", "Gastrointestinal disorders", []),
    ("Constipation", "Gastrointestinal disorders", []),
    ("Fatigue", "General disorders and administration site conditions", ["asthenia"]),
    ("Fever", "General disorders and administration site conditions", ["pyrexia"]),
    ("Oedema limbs", "General disorders and administration site conditions", ["edema"]),
    (
        "Palmar-plantar erythrodysaesthesia syndrome",
        "Skin and subcutaneous tissue disorders",
        ["hand-foot skin reaction", "hand-foot syndrome"],
    ),
    ("Rash maculo-papular", "Skin and subcutaneous tissue disorders", ["rash"]),
    ("Alopecia", "Skin and subcutaneous tissue disorders", ["hair loss"]),
    ("Pruritus", "Skin and subcutaneous tissue disorders", ["itching"]),
    ("Dry skin", "Skin and subcutaneous tissue disorders", ["xerosis"]),
    ("Hypertension", "Vascular disorders", ["high blood pressure"]),
    ("Thromboembolic event", "Vascular disorders", ["venous thromboembolism"]),
    ("Haemorrhage", "Vascular disorders", ["bleeding"]),
    ("Anorexia", "Metabolism and nutrition disorders", ["decreased appetite"]),
    ("Hypophosphataemia", "Metabolism and nutrition disorders", []),
    ("Hyperglycaemia", "Metabolism and nutrition disorders", []),
    ("Hypothyroidism", "Endocrine disorders", []),
    ("Weight loss", "Investigations", []),
    ("Alanine aminotransferase increased", "Investigations", ["ALT increased"]),
    ("Aspartate aminotransferase increased", "Investigations", ["AST increased"]),
    ("Blood bilirubin increased", "Investigations", ["hyperbilirubinaemia"]),
    ("Lipase increased", "Investigations", []),
    ("Neutrophil count decreased", "Investigations", ["neutropenia"]),
    ("Platelet count decreased", "Investigations", ["thrombocytopenia"]),
    ("Anaemia", "Blood and lymphatic system disorders", ["anemia"]),
    ("Febrile neutropenia", "Blood and lymphatic system disorders", []),
    ("Proteinuria", "Renal and urinary disorders", []),
    ("Acute kidney injury", "Renal and urinary disorders", []),
    ("Dysphonia", "Respiratory, thoracic and mediastinal disorders", ["hoarseness"]),
    ("Pneumonitis", "Respiratory, thoracic and mediastinal disorders", []),
    ("Dyspnoea", "Respiratory, thoracic and mediastinal disorders", ["shortness of breath"]),
    ("Cough", "Respiratory, thoracic and mediastinal disorders", []),
    ("Headache", "Nervous system disorders", []),
    ("Peripheral sensory neuropathy", "Nervous system disorders", ["neuropathy"]),
    ("Dysgeusia", "Nervous system disorders", ["taste alteration"]),
    ("Arthralgia", "Musculoskeletal and connective tissue disorders", ["joint pain"]),
    ("Myalgia", "Musculoskeletal and connective tissue disorders", ["muscle pain"]),
    ("Heart failure", "Cardiac disorders", []),
    ("Electrocardiogram QT corrected interval prolonged", "Investigations", ["QT prolongation"]),
    ("Insomnia", "Psychiatric disorders", []),
    ("Infection", "Infections and infestations", []),
]

DRUG_PREFIXES = [
    "al", "bel", "cor", "dal", "el", "fer", "gal", "hal", "ir", "jor", "kel", "lor", "mar",
    "nal", "or", "pel", "quor", "ral", "sal", "tor", "ul", "vel", "wal", "xan", "yor", "zel",
    "abr", "bry", "cyr", "dov",
]  # fmt: skip
DRUG_MIDDLES = ["a", "e", "i", "o", "u", "ava", "eno", "ipa", "osi", "uva"]
DRUG_STEMS = [
    ("tinib", "Tyrosine kinase inhibitor"),
    ("rafenib", "Multikinase inhibitor (RAF, VEGFR)"),
    ("ciclib", "CDK4/6 inhibitor"),
    ("lisib", "PI3K inhibitor"),
    ("parib", "PARP inhibitor"),
    ("metinib", "MEK inhibitor"),
    ("brutinib", "BTK inhibitor"),
    ("toclax", "BCL-2 inhibitor"),
    ("limus", "mTOR inhibitor"),
    ("ertinib", "EGFR inhibitor"),
]

SECTION_SENTENCES = {
    "summary": "{name} is an oral {drug_class_lower} used in {conditions}.",
    "mechanism": "{name} inhibits {targets}, blocking tumour cell proliferation and angiogenesis.",
    "indications": "{name} is approved for adults with {conditions} after assessment of risk.",
    "dosage": "The usual dose is {dose} mg {frequency}, taken with water, with or without food.",
    "pharmacokinetics": "Peak concentrations occur {tmax} hours after a dose; the half-life is "
    "about {half_life} hours.",
    "warnings": "Monitor blood pressure, liver function and skin every two weeks for the first "
    "two months.",
    "contraindications": "Do not use in patients with hypersensitivity to {name}.",
    "special_populations": "No dose change is needed in mild hepatic impairment (Child-Pugh A).",
    "adverse_events": "The most common adverse events are {events}; most are grade 1 or 2.",
    "interactions": "Strong CYP3A4 inducers lower exposure to {name}; avoid them.",
    "resistance": "Resistance arises through bypass signalling and secondary mutations.",
    "subsequent_therapy": "After progression, options include another targeted agent or "
    "immunotherapy.",
}

SPONSORS = [
    "Northbridge Oncology", "Helix Therapeutics", "Meridian Pharma", "Cooperative Oncology Group",
    "National Cancer Research Network", "Aurora Biosciences", "Kestrel Pharmaceuticals",
    "University Hospital Consortium", "Atlas Clinical Research", "Vantage Oncology",
]  # fmt: skip

JOURNALS = [
    ("J Clin Oncol", "0732-183X"), ("Lancet Oncol", "1470-2045"), ("N Engl J Med", "0028-4793"),
    ("Ann Oncol", "0923-7534"), ("Eur J Cancer", "0959-8049"), ("Br J Cancer", "0007-0920"),
    ("Clin Cancer Res", "1078-0432"), ("JAMA Oncol", "2374-2437"),
]  # fmt: skip

SURNAMES = [
    "Llovet JM", "Cheng AL", "Escudier B", "Brose MS", "Kudo M", "Finn RS", "Motzer RJ",
    "Zhu AX", "Rimassa L", "Bruix J", "Kelley RK", "Yau T", "Park JW", "Galle PR", "Qin S",
    "Ikeda M", "Merle P", "Vogel A", "Abou-Alfa GK", "Sangro B",
]  # fmt: skip

REGIONS = ["Europe", "North America", "Asia-Pacific", "Latin America", "Africa", "Middle East"]
