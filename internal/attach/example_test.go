package attach_test

import (
	"context"
	"fmt"
	"os"

	"github.com/misend/misend/internal/attach"
)

func ExampleRead() {
	data, err := os.ReadFile("testdata/quote.docx")
	if err != nil {
		panic(err)
	}
	res := attach.Read(context.Background(), "株式会社青葉食品様_お見積書.docx", "application/octet-stream", data, attach.Limits{})
	fmt.Println(res.Kind)
	fmt.Print(res.Lead)
	// Output:
	// docx
	// 株式会社青葉食品 御中
	// 営業部 山田部長 様
	// お見積書 (Quotation for Aoba Foods)
	// プロジェクト桜 の件につき、下記のとおりお見積り申し上げます。
}

func ExampleRead_encrypted() {
	data, err := os.ReadFile("testdata/ppap.zip")
	if err != nil {
		panic(err)
	}
	res := attach.Read(context.Background(), "資料.zip", "application/zip", data, attach.Limits{})
	fmt.Println(res.Encrypted)
	// Output:
	// [quote.docx list.xlsx]
}
