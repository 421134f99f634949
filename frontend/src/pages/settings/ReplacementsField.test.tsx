// @vitest-environment jsdom
import { useState } from "react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { cleanup, fireEvent, screen } from "@testing-library/react";
import { renderApp } from "../../test/render";
import type { Replacement } from "../../api";
import { ReplacementsField, splitRowErrors } from "./ReplacementsField";
import { FieldControl } from "./FieldControl";
import { settingsSchema } from "./schema";

const fake = await vi.hoisted(async () => (await import("../../test/fakeBackend")).createFakeBackend());
vi.mock("../../api/backend", () => fake.module);

const spec = settingsSchema.flatMap((g) => g.fields).find((f) => f.path === "typing.replacements")!;

/** The field with its value held in state, as the settings form does. */
function Harness(props: { initial: Replacement[]; error?: string; onValue?: (v: Replacement[]) => void }) {
  const [value, setValue] = useState<Replacement[]>(props.initial);
  return (
    <ReplacementsField
      spec={spec}
      value={value}
      error={props.error}
      onLocalError={() => {}}
      onChange={(path, v) => {
        expect(path).toBe("typing.replacements");
        setValue(v as Replacement[]);
        props.onValue?.(v as Replacement[]);
      }}
    />
  );
}

const input = (i: number, key: "from" | "to") => screen.getByTestId(`field-typing.replacements.${i}.${key}`) as HTMLInputElement;

describe("ReplacementsField", () => {
  afterEach(cleanup);

  it("adds, edits and removes rules", () => {
    const onValue = vi.fn();
    renderApp(<Harness initial={[{ from: "comma", to: "," }, { from: "new line", to: "\\n" }]} onValue={onValue} />);
    expect(input(0, "from").value).toBe("comma");
    expect(input(1, "to").value).toBe("\\n");

    fireEvent.click(screen.getByTestId("replacement-add"));
    expect(onValue).toHaveBeenLastCalledWith([{ from: "comma", to: "," }, { from: "new line", to: "\\n" }, { from: "", to: "" }]);
    expect(document.activeElement).toBe(input(2, "from"));

    fireEvent.change(input(2, "from"), { target: { value: "smiley" } });
    fireEvent.change(input(2, "to"), { target: { value: ":-)" } });
    expect(onValue).toHaveBeenLastCalledWith([
      { from: "comma", to: "," },
      { from: "new line", to: "\\n" },
      { from: "smiley", to: ":-)" },
    ]);

    fireEvent.click(screen.getByRole("button", { name: "Remove rule 1 (comma)" }));
    expect(onValue).toHaveBeenLastCalledWith([{ from: "new line", to: "\\n" }, { from: "smiley", to: ":-)" }]);
    expect(input(0, "from").value).toBe("new line");
    expect(screen.queryByTestId("replacement-row-2")).toBeNull();

    fireEvent.click(screen.getByTestId("replacement-remove-1"));
    fireEvent.click(screen.getByTestId("replacement-remove-0"));
    expect(onValue).toHaveBeenLastCalledWith([]);
    expect(screen.getByTestId("replacements-empty")).toBeTruthy();
  });

  it("shows each error under the row it names", () => {
    const error =
      "typing.replacements[1].from is empty; enter the spoken words, or remove the rule.; " +
      "typing.replacements[2].to is longer than 100 characters.";
    renderApp(<Harness initial={[{ from: "a", to: "" }, { from: "", to: "" }, { from: "c", to: "x".repeat(101) }]} error={error} />);
    expect(screen.getByTestId("field-error-typing.replacements.1.from").textContent).toBe(
      "typing.replacements[1].from is empty; enter the spoken words, or remove the rule.",
    );
    expect(screen.getByTestId("field-error-typing.replacements.2.to").textContent).toContain("longer than 100");
    expect(screen.queryByTestId("field-error-typing.replacements.0.from")).toBeNull();
    expect(screen.queryByTestId("field-error-typing.replacements")).toBeNull();
    expect(input(1, "from").getAttribute("aria-invalid")).toBe("true");
  });

  it("shows an error about the whole list under the list", () => {
    renderApp(<Harness initial={[]} error="typing.replacements has 201 rules; at most 200 are allowed." />);
    expect(screen.getByTestId("field-error-typing.replacements").textContent).toBe(
      "typing.replacements has 201 rules; at most 200 are allowed.",
    );
  });

  it("is what FieldControl renders for its kind, and copes with a missing list", () => {
    renderApp(<FieldControl spec={spec} value={null} onChange={vi.fn()} onLocalError={vi.fn()} />);
    expect(screen.getByTestId("field-typing.replacements")).toBeTruthy();
    expect(screen.getByTestId("replacements-empty")).toBeTruthy();
  });
});

describe("splitRowErrors", () => {
  it("splits only where a message names a row", () => {
    expect(splitRowErrors(undefined)).toEqual({ rows: {}, list: "" });
    expect(
      splitRowErrors(
        "typing.replacements has 3 rules; too many; typing.replacements[0].from is empty; say it; " +
          "typing.replacements[0].to contains control characters; typing.replacements[10].from repeats x",
      ),
    ).toEqual({
      rows: {
        0: { from: "typing.replacements[0].from is empty; say it", to: "typing.replacements[0].to contains control characters" },
        10: { from: "typing.replacements[10].from repeats x" },
      },
      list: "typing.replacements has 3 rules; too many",
    });
  });
});
