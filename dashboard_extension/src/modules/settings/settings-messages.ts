/** Every word the Settings page shows, in one place (labels and help follow the plugin configuration's). */
import type { SettingField } from "./settings-form";

export const FIELD_MESSAGES: Record<SettingField, { label: string; help: string }> = {
  emailProvider: {
    label: "Email provider",
    help: "Empty: the server's own email settings. smtp: the SMTP server below. Otherwise a django-anymail ESP "
      + "(amazon_ses, brevo, mailgun, mailjet, postmark, sendgrid, sparkpost, …).",
  },
  emailApiKey: { label: "Provider API key", help: "The ESP's API key (or Postmark's server token)." },
  smtpUrl: {
    label: "SMTP server",
    help: "smtp://user:password@host:port (smtps:// for implicit TLS; add ?tls=1 for STARTTLS).",
  },
  fromEmail: { label: "Sender address", help: "Empty: the server's DEFAULT_FROM_EMAIL." },
  fromName: { label: "Sender name", help: "Shown as the sender of marketing mails, e.g. the shop's name." },
  shopName: { label: "Shop name", help: "Shown in mails and on the unsubscribe page. Empty: the sender name." },
  unsubscribeMailto: {
    label: "Unsubscribe mailbox",
    help: "The address of the List-Unsubscribe mailto: link. Empty: the sender address.",
  },
  sendRatePerMinute: { label: "Sending rate (mails per minute)", help: "At most this many campaign mails per minute, per campaign." },
  frequencyCapCount: {
    label: "Frequency cap (mails)",
    help: "A customer gets at most this many campaign mails within the frequency-cap days (0: no cap).",
  },
  frequencyCapDays: { label: "Frequency cap (days)", help: "The window of the frequency cap, in days." },
  shopTimeZone: {
    label: "Shop time zone",
    help: "An IANA time zone such as Europe/Warsaw. Automations' quiet hours (set on each automation) are in it. Empty: UTC.",
  },
  doubleOptIn: {
    label: "Double opt-in (1 = on, 0 = off)",
    help: "When on, a storefront subscription is pending until the customer clicks the link of a confirmation mail.",
  },
  confirmationLinkHours: { label: "Confirmation link validity (hours)", help: "How long the link of a confirmation mail works." },
  publicUrl: {
    label: "Public URL of the shop's API",
    help: "Base of the links in mails (unsubscribe, confirmation, tracked clicks), e.g. https://api.example.com.",
  },
  storefrontProductUrl: {
    label: "Storefront product URL pattern",
    help: "e.g. https://shop.example.com/{channel}/products/{slug} (placeholders {channel}, {slug}, {id}). Empty: no product links.",
  },
  storefrontCheckoutUrl: {
    label: "Storefront checkout URL pattern",
    help: "e.g. https://shop.example.com/{channel}/checkout?token={token}. Empty: reminders have no link to the checkout.",
  },
  linkHosts: {
    label: "Click-tracked link hosts",
    help: "Other hosts links in mails may lead to, space-separated (the public URL's and the storefront's count already).",
  },
  dashboardOrigins: {
    label: "Dashboard origins",
    help: "Origins allowed to show the CRM's pages, space-separated. Empty: the public URL's origin.",
  },
  clientIpHeader: {
    label: "Client IP header",
    help: "The header your proxy writes the visitor's address to, e.g. X-Forwarded-For. Only when every request passes it.",
  },
  trackingWebhookSecret: {
    label: "Tracking webhook secret",
    help: "user:password the ESP sends as basic auth with its tracking webhook. Empty: the webhook is off.",
  },
  abandonedCheckoutMinutes: { label: "Abandoned checkout delay (minutes)", help: "Idle this long and not completed: abandoned." },
  favouriteLimit: { label: "Favourites per profile", help: "How many favourite products and categories a profile keeps." },
  repeatPurchaseMinPercent: {
    label: "Repeat-purchase threshold (%)",
    help: "Bought products are recommended again only in categories with at least this share of repeat purchases.",
  },
  autoTrainMinOrders: { label: "Orders before the first training", help: "The first recommendation training starts at this many orders." },
  recommendationRefreshSeconds: {
    label: "Recommendation refresh (seconds)",
    help: "How often each server process looks for newly trained recommendations.",
  },
  sweepAfterSeconds: { label: "Sweeper grace period (seconds)", help: "Events still pending after this long are folded by the sweeper." },
  foldBatchSize: { label: "Fold batch size", help: "How many events are folded into profiles per transaction." },
};

export const SECTION_MESSAGES: Record<string, { title: string; help: string }> = {
  provider: { title: "Mail provider", help: "How the CRM sends campaign, automation and service mail." },
  sender: { title: "Sender and pacing", help: "Who mails come from, how fast they go out and how often a customer gets one." },
  consent: { title: "Consent", help: "How storefront subscriptions are confirmed." },
  links: { title: "Links", help: "Where the links in mails lead, and who may show the CRM's pages." },
  tracking: { title: "Tracking webhook", help: "Deliveries, opens, bounces and complaints reported by the ESP." },
  data: { title: "Data and recommendations", help: "How events become profiles and recommendations." },
};

export const MESSAGES = {
  title: "Settings",
  intro: "The CRM plugin's configuration. Saving here also saves the plugin's page in Saleor.",
  loading: "Loading settings…",
  save: "Save settings",
  saving: "Saving…",
  saved: "Settings saved",
  nothingToSave: "Nothing changed.",
  pinned: "Set by the server's configuration (SALEOR_CRM): change it there.",
  secretSet: "Set",
  secretNotSet: "Not set",
  secretReplace: "Replace",
  secretKeep: "Keep the saved value",
  secretRemove: "Remove",
  secretRemoved: "Removed when saved",
  newValue: (label: string) => `New ${label.toLowerCase()}`,
  webhookUrl: "Webhook URL to give the ESP",
  webhookHelp: "Give the ESP this URL with the webhook secret as user:password before the host "
    + "(https://user:password@…).",
  webhookNone: "No tracking webhook: it needs an ESP as the provider and the public URL (SMTP reports no deliveries).",
  copy: "Copy",
  copied: "Copied",
  schedulesTitle: "Schedules",
  schedulesHelp: "When the periodic jobs run. Set in the server's configuration (SALEOR_CRM) and read when beat starts.",
  schedules: {
    sweepIntervalSeconds: "Sweeper interval (seconds)",
    campaignDispatchSeconds: "Campaign dispatcher interval (seconds)",
    automationScanSeconds: "Automation interval (seconds)",
    trainingHour: "Nightly training hour (UTC)",
  } as Record<string, string>,
  testMailTitle: "Send a test mail",
  testMailHelp: "Sends one short mail through the saved provider settings. Save changes first.",
  testMailTo: "Send to",
  testMailSend: "Send test mail",
  testMailSending: "Sending…",
  testMailSent: (to: string) => `Test mail sent to ${to}.`,
  unsaved: "You have unsaved changes: the test mail uses the saved settings.",
};
