import { describe, expect, it } from "vitest";

import { rawKind, timelineLabel } from "./timeline-kinds";

describe("timelineLabel", () => {
  it("names what a business fact or contact is about", () => {
    expect(timelineLabel("order.placed")).toBe("Order");
    expect(timelineLabel("order.partly_refunded")).toBe("Order");
    expect(timelineLabel("mail.clicked")).toBe("Mail");
    expect(timelineLabel("consent.unsubscribed")).toBe("Consent");
    expect(timelineLabel("support.inbound")).toBe("Service");
    expect(timelineLabel("survey.nps")).toBe("Survey");
    expect(timelineLabel("automation.mailed")).toBe("Automation");
  });

  it("groups raw events by their type and never fails on a kind it does not know", () => {
    expect(timelineLabel("customer.updated")).toBe("Account");
    expect(timelineLabel("checkout.updated")).toBe("Checkout");
    expect(timelineLabel("something.new")).toBe("Event");
    expect(rawKind("order.fully_paid")).toBe("order.fully_paid");
  });
});
