"""Social prescribing facts on the journey and the message back to the GP and referrer
(issue 16, part 7), following the PRSB Social Prescribing Information Standard v1.1."""
