/** Merchant-facing names for the trigger model's values (the editor's options and the list's columns). */
export const TYPE_LABELS: Record<string, string> = {
  exit_intent: "Exit intent",
  page_engagement: "Page engagement",
  inactivity: "Inactivity",
  cart_change: "Cart change",
};

export const TYPE_HELP: Record<string, string> = {
  exit_intent: "The shopper turns to leave: the cursor heads for the tabs on desktop, a fast scroll up or the back button on mobile.",
  page_engagement: "As soon as the conditions below hold (time on page, scroll depth, pages viewed…).",
  inactivity: "The shopper stops interacting with the page for a while.",
  cart_change: "The shopper adds to or changes the cart.",
};

export const CONTENT_LABELS: Record<string, string> = {
  cart_reminder: "Cart reminder",
  recently_viewed: "Recently viewed products",
  recommendations: "Product recommendations",
  email_capture: "Email sign-up",
  discount_reveal: "Discount code",
  message: "Message with a link",
};

export const LAYOUT_LABELS: Record<string, string> = {
  default: "Theme default (set in the theme editor)",
  modal: "Centered pop-up",
  slide_in: "Corner slide-in",
  bar: "Top bar",
};

export const PAGE_LABELS: Record<string, string> = {
  index: "Home page",
  product: "Product pages",
  collection: "Collection pages",
  "list-collections": "Collections list",
  search: "Search results",
  cart: "Cart page",
  page: "Content pages",
  blog: "Blog",
  article: "Blog posts",
  "404": "Page not found",
  customers: "Customer account pages",
  other: "Other pages",
};

export const TIER_LABELS: Record<string, string> = {
  low: "Any shopper (browsing)",
  mid: "Interested (repeat product views or a return visit)",
  high: "Ready to buy (items in cart or checkout started)",
};

export const DEVICE_LABELS: Record<string, string> = { desktop: "Desktop", mobile: "Mobile", tablet: "Tablet" };

export const SOURCE_LABELS: Record<string, string> = {
  direct: "Direct",
  search: "Search engines",
  social: "Social",
  email: "Email",
  paid: "Paid ads",
  referral: "Other websites",
};

/** Schedule days, Monday first; values are Date.getDay() numbers (0 = Sunday) as strings. */
export const DAY_OPTIONS = [
  { value: "1", label: "Monday" },
  { value: "2", label: "Tuesday" },
  { value: "3", label: "Wednesday" },
  { value: "4", label: "Thursday" },
  { value: "5", label: "Friday" },
  { value: "6", label: "Saturday" },
  { value: "0", label: "Sunday" },
];

const hh = (h: number) => `${String(h).padStart(2, "0")}:00`;

/** Start hours 00:00–23:00 and end hours 01:00–24:00 (the end hour is not included). */
export const START_HOUR_OPTIONS = Array.from({ length: 24 }, (_, h) => ({ value: String(h), label: hh(h) }));
export const END_HOUR_OPTIONS = Array.from({ length: 24 }, (_, i) => ({
  value: String(i + 1),
  label: i + 1 === 24 ? "24:00 (midnight)" : hh(i + 1),
}));

export const SCHEDULE_HELP =
  "Times are the shopper's own local time, from their device's clock, not your store's time zone. " +
  "The end hour is not included: 09:00 to 17:00 stops at 17:00. An end before the start runs past midnight " +
  "(22:00 to 06:00) and counts for the day it starts on, so Friday covers Friday night until Saturday 06:00.";
