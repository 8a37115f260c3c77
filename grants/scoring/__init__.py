"""Scoring and aid amounts as pure functions over plain data (DOMAIN §4.2–4.4): ``inputs`` builds
the plain values, ``eligibility`` the gates, ``grid`` the score card, ``aid`` the real-estate
envelope aid, ``financing`` the financing-plan checks. The configuration they read is versioned
(``grants.services.config_versions``)."""
