"""Documents produced from frozen data: receipts now, CPOM and letters later (HTML → PDF)."""
