"""The dossier and financer-track state machines: the transition table as data, guards as pure
predicates, and the engine that alone changes a state."""
