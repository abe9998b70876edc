"""ISCED-F 2013 fields of study for the shipped catalogues, where the source names a department, programme or
discipline but no field code. Narrow fields (3 digits) where the unit is that specific, broad fields (2 digits)
for faculties that teach several. These are our reading of the unit names, not the institutions' own coding.

Fields used: 02 arts and humanities (021 arts, 023 languages), 03 social sciences (031 social and behavioural
sciences), 04 business, administration and law (041 business and administration, 042 law), 05 natural sciences,
mathematics and statistics (051 biological, 053 physical sciences, 054 mathematics and statistics), 06 ICT (061),
07 engineering, manufacturing and construction (071 engineering and engineering trades, 073 architecture and
construction, 078 inter-disciplinary engineering), 06/08 inter-disciplinary ICT (068).
"""

AALTO_UNITS = {
    "Department of Art and Media": "021",
    "Department of Film, Television and Scenography": "021",
    "Department of Design": "021",
    "Aalto University, Language Centre": "023",
    "Department of Economics": "031",
    "Department of Management": "041",
    "Department of Accounting": "041",
    "Department of Finance": "041",
    "Department of Marketing": "041",
    "Department of Information and Service Management": "041",
    "Department of Industrial Engineering and Management": "041",
    "School of Business": "041",
    "Department of Chemistry and Materials Science": "053",
    "Department of Applied Physics": "053",
    "Department of Mathematics and Systems Analysis": "054",
    "Department of Computer Science": "061",
    "Department of lnformation and Communications Engineering": "061",  # sic: a lower-case L in the source
    "Department of Information and Communications Engineering": "061",
    "Department of Energy and Mechanical Engineering": "071",
    "Department of Electrical Engineering and Automation": "071",
    "Department of Electronics and Nanoengineering": "071",
    "Department of Chemical and Metallurgical Engineering": "071",
    "Department of Bioproducts and Biosystems": "071",
    "School of Electrical Engineering": "071",
    "School of Engineering": "071",
    "School of Chemical Engineering": "071",
    "Department of Neuroscience and Biomedical Engineering": "078",
    "Department of Architecture": "073",
    "Department of Built Environment": "073",
    "Department of Civil Engineering": "073",
    "School of Science": "05",
    "Aalto University School of Science": "05",
    "School of Arts, Design and Architecture": "02",
}

# FU Berlin programme folders (`inf_bsc_2014` -> "inf"); language modules of the Sprachenzentrum are 023.
FU_BERLIN_PROGRAMMES = {
    "inf": "061",
    "inf_30lp": "061",
    "compsci": "061",
    "lehrinf": "061",
    "datasci": "061",
    "bioinf": "068",
    "math": "054",
    "lehrmath": "054",
    "phy": "053",
    "lehrphy": "053",
}

# UPM ETSIT degree codes.
UPM_DEGREES = {
    "GITST": "071",  # Grado en Ingeniería de Tecnologías y Servicios de Telecomunicación
    "MUIT": "071",  # Máster en Ingeniería de Telecomunicación
    "MUSTC": "071",  # Máster en Señales, Tratamiento y Comunicaciones (signal processing)
    "MUISE": "071",  # Máster en Ingeniería de Sistemas Electrónicos
    "MUESFV": "071",  # Máster en Energía Solar Fotovoltaica
    "MUIRST": "061",  # Máster en Ingeniería de Redes y Servicios Telemáticos
    "MUCS": "061",  # Máster en Ciberseguridad
    "GIB": "078",  # Grado en Ingeniería Biomédica
    "MUIB": "078",  # Máster en Ingeniería Biomédica
}

# Poitiers `discipline` values.
POITIERS_DISCIPLINES = {
    "Droit - Sciences politiques": "042",
    "Sciences économiques- gestion (hors AES)": "031",
    "Administration Economie et Social (AES)": "031",
    "Sciences Fondamentales et Applications": "05",
    "Sciences de la nature et de la vie": "051",
}

COMPUTING = "061"  # Glasgow Computing Science, Deakin IT, Ionian Informatics
LANGUAGES = "023"
