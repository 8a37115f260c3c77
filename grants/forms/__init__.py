"""WTForms (Flask-WTF): the shape of input only; rules across objects live in services."""
