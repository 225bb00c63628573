"""The demo data's catalogue: accounts, payees, categories and amount ranges of a believable
household. `fintrack.demo_ledger` draws transactions from it."""

from __future__ import annotations

TAGS = ("trip", "business", "gift")

# name, kind, currency, opening balance (minor units), institution
ACCOUNTS = (
    ("Main checking", "checking", "EUR", 2_500_00, "City Bank"),
    ("Savings", "savings", "EUR", 5_000_00, "City Bank"),
    ("Credit card", "credit_card", "EUR", 0, "City Bank"),
    ("Wallet", "cash", "EUR", 80_00, None),
    ("Brokerage", "investment", "EUR", 10_000_00, "Index Invest"),
    ("US brokerage", "investment", "USD", 3_000_00, "Harbor Securities"),
    ("London account", "checking", "GBP", 400_00, "Thames Bank"),
    ("Car loan", "loan", "EUR", -18_000_00, "Auto Finance"),
    ("Pension fund", "other_asset", "EUR", 12_000_00, "Pension Trust"),
    ("Family loan", "other_liability", "EUR", -3_000_00, None),
)

# category path, weight, accounts (name: weight), amount range (minor units, spent), payees
SPENDING: tuple[tuple[str | None, int, dict[str, int], tuple[int, int], tuple[str, ...]], ...] = (
    (
        "Food › Groceries",
        30,
        {"Main checking": 6, "Credit card": 4},
        (15_00, 120_00),
        ("REWE Markt", "ALDI SÜD", "LIDL", "EDEKA Center", "Farmers market"),
    ),
    (
        "Food › Restaurants",
        12,
        {"Credit card": 8, "Main checking": 2},
        (15_00, 90_00),
        ("Trattoria Roma", "Sushi Bar Kyoto", "Burger Barn", "Thai Garden", "Pizzeria Napoli"),
    ),
    (
        "Food › Coffee",
        12,
        {"Wallet": 6, "Credit card": 4},
        (2_50, 6_50),
        ("Bean There Café", "Coffee Corner", "Starbucks"),
    ),
    ("Transport › Fuel", 7, {"Credit card": 1}, (40_00, 90_00), ("Shell", "Aral", "Esso")),
    ("Transport › Public transport", 6, {"Main checking": 1}, (2_90, 3_50), ("City Transit",)),
    (
        "Health",
        4,
        {"Main checking": 1, "Credit card": 1},
        (5_00, 45_00),
        ("City Pharmacy", "Dr. Weber Practice"),
    ),
    ("Shopping › Clothes", 4, {"Credit card": 1}, (20_00, 150_00), ("H&M", "Zara", "Uniqlo")),
    (
        "Shopping › Electronics",
        1,
        {"Credit card": 1},
        (20_00, 1_200_00),
        ("MediaMarkt", "Apple Store", "Amazon"),
    ),
    (
        "Housing › Maintenance",
        1,
        {"Main checking": 1},
        (10_00, 400_00),
        ("Hardware Store", "Plumber Schmidt"),
    ),
    (
        "Transport › Car",
        1,
        {"Main checking": 1},
        (15_00, 600_00),
        ("Auto Service Center", "Car Wash Express"),
    ),
    ("Leisure › Sports", 2, {"Credit card": 1}, (10_00, 80_00), ("Decathlon", "Climbing Hall")),
    (None, 2, {"Credit card": 1, "Main checking": 1}, (5_00, 50_00), ("PAYPAL *MISC", "Web Shop")),
)
TRAVEL_PAYEES = ("Hotel Miramar", "Lufthansa", "Airbnb", "Ryanair", "Booking.com", "Museum Tickets")

# day of the month, payee, category path, amount range (minor units, spent): the pound account
LONDON_SPENDING = (
    (9, "Tesco Metro", "Food › Groceries", 8_00, 35_00),
    (16, "Pret A Manger", "Food › Restaurants", 6_00, 18_00),
    (23, "Transport for London", "Transport › Public transport", 10_00, 30_00),
)

# Budget per category as a percentage of its typical monthly spending: some months end
# green, some amber, some over, as a real person's do.
BUDGET_SHARES = {
    "Food › Groceries": 105,
    "Food › Restaurants": 90,
    "Food › Coffee": 130,
    "Transport › Fuel": 110,
    "Housing › Utilities": 120,
    "Shopping": 100,
    "Leisure": 125,
}

# name, account, payee, amount (minor units, signed), category path, day of the month
SCHEDULES = (
    ("Rent", "Main checking", "City Apartments Ltd", -1_250_00, "Housing › Rent", 1),
    ("Salary", "Main checking", "ACME GmbH salary", 3_850_00, "Income › Salary", 25),
    ("Phone", "Credit card", "Telco Mobile", -25_99, "Bills › Phone", 12),
    ("Streaming", "Credit card", "StreamFlix", -13_99, "Leisure › Subscriptions", 14),
)
